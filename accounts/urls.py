from django.urls import path

from . import password_views, views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("logga-in/", views.login, name="login"),
    path("verifiera/", views.verify, name="verify"),
    path("tvastegsverifiering/", views.enrol, name="enrol"),
    path("reservkoder/", views.recovery_codes, name="recovery_codes"),
    path("logga-ut/", views.logout, name="logout"),
    path("losenord/", password_views.password_change, name="password_change"),
    path("losenord/glomt/", password_views.PasswordReset.as_view(), name="password_reset"),
    path(
        "losenord/glomt/skickat/",
        password_views.PasswordResetDone.as_view(),
        name="password_reset_done",
    ),
    path(
        "losenord/nytt/<uidb64>/<token>/",
        password_views.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "losenord/klart/",
        password_views.PasswordResetComplete.as_view(),
        name="password_reset_complete",
    ),
]
