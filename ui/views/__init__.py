"""Things that draw results: the training views (kernels, predictions, drawing pad)."""
