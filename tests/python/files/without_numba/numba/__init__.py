# Stands in for a machine without Numba: importing it fails as a missing package does.
raise ImportError("No module named 'numba' (a stand-in for a machine without python3-numba)")
