"""negneg.experiments"""
