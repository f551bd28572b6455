"""The administrators' command line: `python -m chalicelib.admin --stage STAGE COMMAND`."""
