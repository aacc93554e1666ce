"""The frozen site's search: each page's terms, the sharded static index search.js reads, and
what an export leaves behind so the next one can patch it."""
