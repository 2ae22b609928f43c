"""From a page back to its sources: which value or template line made each character."""
