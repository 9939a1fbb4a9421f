"""data_import"""
