# Imports poolbench but decorates nothing.
import poolbench
