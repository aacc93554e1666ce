"""Content: the files under content/ read into a validated ContentSet.

Every problem is reported as path:line (errors.ContentProblem, messages.Message). Nothing here
knows about Flask, Jinja or Whoosh: the web, search and build stages are given a ContentSet.
"""
