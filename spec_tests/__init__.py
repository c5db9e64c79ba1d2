"""The nn-katas spec: the behaviour every implementation package must show, kata by kata."""
