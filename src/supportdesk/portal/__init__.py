"""The customer portal: pages for customers and partners."""
