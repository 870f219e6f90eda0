"""Views of the requests app: `customer.py` (the customer's pages) and `staff.py`."""
