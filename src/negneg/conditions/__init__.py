"""negneg.conditions"""
