"""Console adapter: ``agbot chat`` and ``agbot ask``. ``convert`` holds the pure text <-> message
functions, ``adapter`` the :class:`~adapters.console.adapter.ConsoleSession` that owns stdin/stdout."""
