"""negneg.report"""
