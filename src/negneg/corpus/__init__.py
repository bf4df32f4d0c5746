"""negneg.corpus"""
