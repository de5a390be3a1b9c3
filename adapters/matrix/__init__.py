"""Matrix adapter on matrix-nio. ``convert`` holds the pure event <-> message functions,
``adapter`` the :class:`~adapters.matrix.adapter.MatrixAdapter` that owns the nio client."""
