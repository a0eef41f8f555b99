"""The product's logic, free of any framework: each function takes a store,
plain values and (where time matters) ``now``, and returns plain results."""
