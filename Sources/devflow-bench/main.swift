print("devflow-bench: see bench/")
