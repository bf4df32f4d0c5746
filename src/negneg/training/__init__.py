"""negneg.training"""
