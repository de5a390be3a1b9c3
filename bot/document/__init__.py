"""The workshop document of 19.10.2022 as a source of answers.

* :mod:`bot.document.passages` splits the shipped text (``bot/data/workshop-2022-10-19.txt``)
  into short passages with German section titles;
* :mod:`bot.document.search` ranks them for a question (BM25, German stems) and says when the
  document has nothing on it;
* :mod:`bot.document.agenda` finds the agenda item a question names;
* :mod:`bot.document.answers` turns all of it into replies.

Importing this package is cheap: bm25s and numpy are imported when the first index is built.
"""
