"""The in-between experiments: :mod:`.core` (methods, scoring), :mod:`.runs` (data, method, real pair,
scenarios), :mod:`.studies` (PDEs, sensitivity), :mod:`.events` (scores where the scene changes)."""
