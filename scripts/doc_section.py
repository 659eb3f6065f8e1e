"""One section of a generated Markdown document, written between markers so that the scripts
that generate different sections of docs/experiments.md do not overwrite each other."""
import os


def write_section(doc, key, text, title="# Experiments"):
    begin, end = "<!-- %s:begin -->" % key, "<!-- %s:end -->" % key
    block = "%s\n%s\n%s" % (begin, text.strip("\n"), end)
    old = open(doc).read() if os.path.exists(doc) else title + "\n"
    if begin in old and end in old:
        head, rest = old.split(begin, 1)
        new = head + block + rest.split(end, 1)[1]
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    tmp = doc + ".tmp"
    with open(tmp, "w") as f:
        f.write(new)
    os.replace(tmp, doc)
