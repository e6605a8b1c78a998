"""supportdesk: a customer-support case system that runs a vendor's support policy."""
