"""Documents (机要文件): classified meeting documents, numbered copies, distribution, return."""
