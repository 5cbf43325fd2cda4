"""How order and tracking numbers are spelled: one definition for the API and the forms."""

ORDER_NO_PATTERN = r"[A-Za-z0-9_.:-]{1,64}"
TRACKING_NO_PATTERN = r"[A-Za-z0-9-]{4,64}"
