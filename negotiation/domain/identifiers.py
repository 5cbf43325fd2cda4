"""How order and tracking numbers, and free text, are spelled: one definition for the API
and the forms."""

ORDER_NO_PATTERN = r"[A-Za-z0-9_.:-]{1,64}"
TRACKING_NO_PATTERN = r"[A-Za-z0-9-]{4,64}"
# Free text holds no control characters but tab and line breaks (PostgreSQL cannot store
# NUL, and none belong in a remark).
PLAIN_TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
