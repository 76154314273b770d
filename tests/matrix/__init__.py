"""The generated permission-and-privacy matrix (issue 11, item 3): a scene with a record of each kind
(scene.py), the table of every URL pattern and how to fill it (routes.py), and what each persona must get
(cells.py). The tests are tests/test_permission_matrix.py."""
