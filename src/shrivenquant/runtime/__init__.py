"""The kernel (composition root), node configuration and node builders."""
