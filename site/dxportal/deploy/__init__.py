"""`dxportal deploy`: publish a finished build to a web root, an rsync destination or a Pages
branch, with a report of what changed and the build's digest recorded at the target.

This package needs only a build folder and a few settings: it imports no Flask module, so a
deploy runs without loading the site.
"""
