"""What missed deadlines cost: violations, charges, the ledger, regional exemptions and
extensions."""
