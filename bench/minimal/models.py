"""One row per answered form: 40 small integers, as a plain, well-written page stores it."""

from django.db import models


class MinimalSheet(models.Model):
    objects: models.Manager["MinimalSheet"] = models.Manager()
    submitted_on = models.DateField(auto_now_add=True)
    q01 = models.SmallIntegerField(null=True)
    q02 = models.SmallIntegerField(null=True)
    q03 = models.SmallIntegerField(null=True)
    q04 = models.SmallIntegerField(null=True)
    q05 = models.SmallIntegerField(null=True)
    q06 = models.SmallIntegerField(null=True)
    q07 = models.SmallIntegerField(null=True)
    q08 = models.SmallIntegerField(null=True)
    q09 = models.SmallIntegerField(null=True)
    q10 = models.SmallIntegerField(null=True)
    q11 = models.SmallIntegerField(null=True)
    q12 = models.SmallIntegerField(null=True)
    q13 = models.SmallIntegerField(null=True)
    q14 = models.SmallIntegerField(null=True)
    q15 = models.SmallIntegerField(null=True)
    q16 = models.SmallIntegerField(null=True)
    q17 = models.SmallIntegerField(null=True)
    q18 = models.SmallIntegerField(null=True)
    q19 = models.SmallIntegerField(null=True)
    q20 = models.SmallIntegerField(null=True)
    q21 = models.SmallIntegerField(null=True)
    q22 = models.SmallIntegerField(null=True)
    q23 = models.SmallIntegerField(null=True)
    q24 = models.SmallIntegerField(null=True)
    q25 = models.SmallIntegerField(null=True)
    q26 = models.SmallIntegerField(null=True)
    q27 = models.SmallIntegerField(null=True)
    q28 = models.SmallIntegerField(null=True)
    q29 = models.SmallIntegerField(null=True)
    q30 = models.SmallIntegerField(null=True)
    q31 = models.SmallIntegerField(null=True)
    q32 = models.SmallIntegerField(null=True)
    q33 = models.SmallIntegerField(null=True)
    q34 = models.SmallIntegerField(null=True)
    q35 = models.SmallIntegerField(null=True)
    q36 = models.SmallIntegerField(null=True)
    q37 = models.SmallIntegerField(null=True)
    q38 = models.SmallIntegerField(null=True)
    q39 = models.SmallIntegerField(null=True)
    q40 = models.SmallIntegerField(null=True)

    class Meta:
        app_label = "minimal"
        managed = False  # created by bench/bench_flow.py (CREATE TABLE), never migrated
        db_table = "bench_minimal_sheet"

    def __str__(self) -> str:
        return f"sheet {self.pk}"
