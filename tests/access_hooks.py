"""One way for an area's access-matrix module (tests/access_*.py) to hook into tests/test_access_matrix.py: its
record kinds through the World's ``obj`` / ``identity`` / ``fingerprint``, its views through ``build``."""
from __future__ import annotations

from typing import Callable, Iterable, Optional


def hook_area(namespace: dict, *, model_of_view: dict, build: Callable, models: Iterable[str] = (),
              obj: Optional[Callable] = None, identity: Optional[Callable] = None,
              fingerprint: Optional[Callable] = None) -> None:
    """Route the record kinds ``models`` to ``obj(world, model, key)``, ``identity(world, model, record)`` and
    ``fingerprint(world, model, pk)`` (each optional), every other kind to what was there before; route the views
    of ``model_of_view`` to ``build(world, case_class, key, role, kind, token)``."""
    world_class, kinds = namespace["World"], frozenset(models)
    for name, handler in (("obj", obj), ("identity", identity), ("fingerprint", fingerprint)):
        if handler is None:
            continue
        previous = getattr(world_class, name)

        def routed(self, model, value, _handler=handler, _previous=previous):
            return _handler(self, model, value) if model in kinds else _previous(self, model, value)

        setattr(world_class, name, routed)
    namespace["MODEL_OF_VIEW"].update(model_of_view)
    prev_build, case_class = namespace["build"], namespace["Case"]

    def routed_build(world, key, role, kind, token):
        if key.split(" ")[0].split(".")[0] in model_of_view:
            return build(world, case_class, key, role, kind, token)
        return prev_build(world, key, role, kind, token)

    namespace["build"] = routed_build
