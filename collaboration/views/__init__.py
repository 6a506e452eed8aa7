"""Pages of the meetings (協議の場): meetings.py for meetings and rooms, bodies.py for the staff
pages of consultation bodies."""
