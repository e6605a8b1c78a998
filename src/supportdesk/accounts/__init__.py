"""Users, and later organizations, roles, partners and delegations."""
