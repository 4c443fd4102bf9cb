# The people search index (verbind/people/searchindex.py). Its triggers and rows are put in
# place after migrate (PeopleConfig), since a later migration may rebuild the tables they name.

from django.db import migrations


def create(apps, schema_editor):
    from verbind.people import searchindex

    searchindex.create_table(schema_editor.connection)


def drop(apps, schema_editor):
    from verbind.people import searchindex

    searchindex.drop_table(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0007_tags'),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
