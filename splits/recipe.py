"""Split recipes, as the split builder and the layout writer use them.

>>> recipe = read_recipe_file(Path("splits/recipes/titanic.yaml"))

The recipe model and its one validator live in :mod:`validation.split_recipe`, below both ``curation`` and
``splits``, so the annotation store validates the recipes it reads with the same code as ``--split-recipe`` and the
builder; this module names them for ``splits``.
"""

from validation.split_recipe import (
    FILE_KEYS,
    KINDS,
    RecipeError,
    SplitRecipe,
    parse_recipe,
    read_recipe_file,
    recipe_file,
    recipe_files,
)

__all__ = [
    "FILE_KEYS",
    "KINDS",
    "RecipeError",
    "SplitRecipe",
    "parse_recipe",
    "read_recipe_file",
    "recipe_file",
    "recipe_files",
]
