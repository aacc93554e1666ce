"""The preview's search: a Whoosh index of the content (drafts included), its queries, ranking,
snippets and the /<lang>/search/ page."""
