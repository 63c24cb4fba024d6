"""The project's URLs plus the floor views under ``/_bench/``, mounted only by benchmarks.settings."""

from django.urls import include, path

from organiser import bench_views

urlpatterns = [
    path("_bench/minimal", bench_views.minimal, name="bench-minimal"),
    path("_bench/one-row", bench_views.one_row, name="bench-one-row"),
    path("_bench/one-row-insert", bench_views.one_row_insert, name="bench-one-row-insert"),
    path("", include("organiser.urls")),
]
