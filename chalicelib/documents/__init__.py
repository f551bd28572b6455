"""Documents to print: PDF written by our own code (`pdf.py`), pure Python, no dependency."""
