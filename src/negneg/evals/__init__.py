"""negneg.evals"""
