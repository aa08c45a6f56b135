"""write/marked"""
