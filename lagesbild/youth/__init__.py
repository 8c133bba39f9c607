"""Results back to young people: the public page, the poster and the lesson guide."""
