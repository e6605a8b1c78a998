"""The support engineers' console: views, urls and templates for staff."""
