"""Reference data: the 96 Bavarian districts (71 Landkreise, 25 kreisfreie Städte)."""
from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from awards.enums import Region
from awards.extensions import db
from awards.i18n import _l, text


def district_label(name, is_city):
    """A district as the application form names it, in the active language: the name is
    kept, what kind of district it is is translated ("Landkreis Ebersberg" /
    "Ebersberg (district)")."""
    if is_city:
        return text(_l("%(name)s (kreisfreie Stadt)", name=name))
    return text(_l("Landkreis %(name)s", name=name))


class District(db.Model):
    __tablename__ = "districts"
    __table_args__ = (UniqueConstraint("name", "is_city", name="uq_districts_name_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    is_city: Mapped[bool] = mapped_column(default=False)
    region: Mapped[Region] = mapped_column(db.Enum(Region, native_enum=False, length=10), index=True)

    @property
    def label(self):
        return district_label(self.name, self.is_city)
