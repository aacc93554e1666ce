"""The Flask pages: routes, templates' helpers, languages, security headers and the content
store the requests read from (re-read in preview when files change)."""
