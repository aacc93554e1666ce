"""Freezing the app into a folder: the stages of a build, what each output depends on, the
destination (staging, swap, spare) and the worker processes."""
