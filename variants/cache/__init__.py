"""The page cache: pages whose inputs did not change are taken from disk instead of rendered again."""
