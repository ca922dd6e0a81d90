"""Signing in and out."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from tilearn.security import is_safe_next
from tilearn.services import accounts

bp = Blueprint("auth", __name__)
REFUSED = "The email address or password is not right. Check them and try again."
THROTTLED = (
    "There have been several unsuccessful attempts to sign in. For your security, "
    "please wait 15 minutes and try again, or ask your administrator for help."
)


class SignInForm(FlaskForm):
    """Email and password."""

    email = EmailField(
        "Email address", validators=[DataRequired("Enter your email address"), Length(max=254)]
    )
    password = PasswordField("Password", validators=[DataRequired("Enter your password"), Length(max=200)])
    remember = BooleanField("Keep me signed in on this device for 14 days")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """Show the sign-in form and sign the person in."""
    if current_user.is_authenticated:
        return redirect(url_for("learn.my_learning"))
    form = SignInForm()
    next_page = request.args.get("next")
    if form.validate_on_submit():
        limits = {
            "per_account": current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
            "per_address": current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
            "window": current_app.config["LOGIN_LIMIT_WINDOW"],
        }
        try:
            user = accounts.authenticate(
                form.email.data, form.password.data, request.remote_addr or "", limits
            )
        except accounts.SignInRefused as refused:
            form.email.errors = [THROTTLED if refused.throttled else REFUSED]
        else:
            lifetime = current_app.config[
                "REMEMBER_COOKIE_DURATION" if form.remember.data else "PERMANENT_SESSION_LIFETIME"
            ]
            session.clear()  # a fresh session at every sign-in
            accounts.start_session(user, lifetime)
            session.permanent = bool(form.remember.data)  # else the cookie ends with the browser
            login_user(user, remember=bool(form.remember.data), duration=lifetime)
            return redirect(next_page if is_safe_next(next_page) else url_for("learn.my_learning"))
    return render_template("auth/sign_in.html", form=form)


@bp.post("/sign-out")
def sign_out():
    """End this browser's session on the server, then forget it here."""
    if current_user.is_authenticated:
        accounts.end_session(current_user.get_id())
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))
