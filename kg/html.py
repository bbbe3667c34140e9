# TEMPORARY stand-in until the HTML stage lands
from .export import write_atomic
def write_html(graph, path, **kw):
    return write_atomic(path, "<!doctype html><meta charset=utf-8><title>graph</title>")
