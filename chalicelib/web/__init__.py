"""The portal's pages: static HTML fragments in `chalicelib/static/`, put in one layout."""
