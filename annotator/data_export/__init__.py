"""data_export"""
