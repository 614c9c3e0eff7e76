"""Demographic choices shared by account holders and patients (SOP 000 B)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Religion(models.TextChoices):
    ISLAM = "islam", _("Islam")
    PROTESTANT = "kristen", _("Protestant Christian")
    CATHOLIC = "katolik", _("Catholic")
    HINDU = "hindu", _("Hindu")
    BUDDHIST = "buddha", _("Buddhist")
    CONFUCIAN = "konghucu", _("Confucian")
    KEPERCAYAAN = "kepercayaan", _("Belief in One Almighty God (kepercayaan)")


class Sex(models.TextChoices):
    MALE = "L", _("Male")
    FEMALE = "P", _("Female")


class Education(models.TextChoices):
    NONE = "tidak_sekolah", _("No schooling")
    PRIMARY = "sd", _("Primary school (SD)")
    JUNIOR = "smp", _("Junior high school (SMP)")
    SENIOR = "sma", _("Senior high school (SMA/SMK)")
    DIPLOMA = "diploma", _("Diploma (D1-D3)")
    BACHELOR = "s1", _("Bachelor (D4/S1)")
    MASTER = "s2", _("Master (S2)")
    DOCTORATE = "s3", _("Doctorate (S3)")


class BloodType(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    AB = "AB", "AB"
    O = "O", "O"  # noqa: E741 (blood type O)
    UNKNOWN = "unknown", _("Unknown")


class MaritalStatus(models.TextChoices):
    SINGLE = "belum_kawin", _("Not married")
    MARRIED = "kawin", _("Married")
    DIVORCED = "cerai_hidup", _("Divorced")
    WIDOWED = "cerai_mati", _("Widowed")


class Occupation(models.TextChoices):
    CIVIL_SERVANT = "pns", _("Civil servant (PNS)")
    MILITARY_POLICE = "tni_polri", _("Military / police (TNI/Polri)")
    PRIVATE_EMPLOYEE = "swasta", _("Private-sector employee")
    SELF_EMPLOYED = "wiraswasta", _("Self-employed")
    FARMER = "petani", _("Farmer")
    FISHER = "nelayan", _("Fisher")
    LABOURER = "buruh", _("Labourer")
    STUDENT = "pelajar", _("Pupil / student")
    HOMEMAKER = "irt", _("Homemaker")
    RETIRED = "pensiunan", _("Retired")
    UNEMPLOYED = "tidak_bekerja", _("Not working")
    OTHER = "lainnya", _("Other")
