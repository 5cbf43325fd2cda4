"""The HTML forms: what a person may type, checked before any service is called.

These check only the *shape* of the input (a date that parses, a remark that fits its
column). Whether the action is allowed is the service's answer, attached back to the
form by :meth:`common.WebForm.refuse` so it shows next to the field that caused it.

One module per feature, as the services are grouped; ``common`` holds what they share.
"""
